"""MongoDB repositories, iCalendar and QR rendering."""
