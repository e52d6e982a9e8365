"""Diagnostics as a person or a tool reads them: text (`qzdsl.diagnostics.render`), JSON
and SARIF. The audit's reports build on the same JSON and SARIF pieces."""
