"""Pure calculations of payment agreements (convenios): no database, no Django models.

Services wrap these functions with transactions and locks; keeping the arithmetic here lets
Hypothesis check its invariants over thousands of cases."""
