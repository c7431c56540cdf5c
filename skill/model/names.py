"""Intent and slot names the handlers share with the interaction model.

Apart from :mod:`skill.model.generator` (which generates the model and re-exports
these) so that importing a handler does not load the model generator.
"""

QUERY_SLOT = "query"
QUESTION_INTENT = "QuestionIntent"
MORE_INTENT = "MoreIntent"
SOURCE_INTENT = "SourceIntent"
