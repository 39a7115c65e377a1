"""Practices submitted by people who don't use git, and their review.

``intake`` validates, sanitises and stores a submission as a draft; ``review`` records the
reviewers' findings against the validation criteria and accepts or rejects the draft.
"""
