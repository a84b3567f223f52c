"""Submission, review and approval of exports: rules in `workflow`, pages in `views`."""
