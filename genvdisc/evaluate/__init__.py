"""Evaluation: importance-weighted likelihood and classifier-FID / classifier-IS of a judge
classifier (trained by experiments.judges); their text and figures are genvdisc.report's."""
