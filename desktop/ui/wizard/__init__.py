"""One generic wizard for every service, its pages built from the catalog."""
