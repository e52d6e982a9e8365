"""Renderers: each turns a plain result (an evaluation, an audit) into one output format."""
