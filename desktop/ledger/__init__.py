"""The supervisor's daily ledger (每日受理台账): rows and totals, the hub-wide view, XLSX, day close."""
