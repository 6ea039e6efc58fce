"""Posting a review on a GitHub pull request: the event, the REST client,
which lines GitHub lets us comment on, the comment and summary bodies, and
the run that ties them together (`reviewer github`)."""
