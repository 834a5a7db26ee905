"""State-changing operations. Each one changes rows, records the change in the audit trail and
flushes; the view or command that called it commits once, or rolls back."""
