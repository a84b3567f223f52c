"""Detection: one page's text layer and one compiled rule in, findings out. No PDF library here.

run_rule(rule, page, allow, page_count=...) dispatches on the rule's detector and scope;
ValueHunter / find_values hunt known values record-wide.
"""
from .identifiers import is_mobile, is_phone, valid_resident_id
from .propagate import ValueHunter, find_values
from .rules import run_rule, run_rules

__all__ = ["ValueHunter", "find_values", "is_mobile", "is_phone", "run_rule", "run_rules",
           "valid_resident_id"]
