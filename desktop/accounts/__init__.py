"""Staff on the device: accounts, roles and what each may do, passwords, the tamper-evident audit trail."""
