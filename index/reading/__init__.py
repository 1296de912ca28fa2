"""Reading a question's words as a person means them: places (places.py), periods (periods.py),
grades and recency (grades.py). index/query.py puts them together into a QueryPlan."""
