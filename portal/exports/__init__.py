"""Export requests: the clinician's requests, a new request for a visit, progress and retry."""
