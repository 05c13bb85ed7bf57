"""The kiosk's touch views: thin PyQt6 widgets bound to :class:`kiosk.flow.KioskPresenter`."""
