"""Developer tools: screenshot makers."""
