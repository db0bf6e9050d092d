"""Cases and scans coming in: the scanner folder, claiming, checking and filing scans, `case import`, demo data."""
