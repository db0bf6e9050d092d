"""What the notice and the law say: catalog, eligibility, ID numbers, the case, states, working days. Pure: imports nothing else of the project."""
