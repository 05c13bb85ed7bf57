"""agent_console"""
