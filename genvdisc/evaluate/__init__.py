"""Evaluation: importance-weighted likelihood, classifier-FID / classifier-IS, the judge
classifier, and PNG grids."""
