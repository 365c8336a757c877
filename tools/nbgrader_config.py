"""nbgrader's configuration for this course: copy it into your nbgrader course folder (README, "Grading with nbgrader")."""
from nbconvert.preprocessors import TagRemovePreprocessor
from nbgrader.converters import GenerateAssignment

c = get_config()  # noqa: F821 (nbgrader provides it)

# Cells tagged instructor-only (00_index's note on the instructor edition) stay out of the release, as they stay
# out of the student edition; it runs first, so nbgrader never reads the solution markers that such a cell names.
c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = ["instructor-only"]
nbgrader_steps = GenerateAssignment.class_traits()["preprocessors"].default()
c.GenerateAssignment.preprocessors = [TagRemovePreprocessor, *nbgrader_steps]

# The notebooks that train have cells of 10 to 20 s on two free cores; nbgrader's default limit is 30 s per cell.
c.Execute.timeout = 600
