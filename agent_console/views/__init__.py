"""Thin PyQt6 widgets over :class:`agent_console.presenter.ConsolePresenter`."""
