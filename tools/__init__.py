"""The course's own tools: `make notebooks`, `make slides`, `make student`; run them with `python -m tools.<name>`."""
