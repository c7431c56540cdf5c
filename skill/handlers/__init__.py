"""Request handlers, one module per area, one class per intent.

- ``base``: the shared :class:`~skill.handlers.base.Coach` and base classes;
- ``launch``: LaunchRequest, AMAZON.NavigateHomeIntent;
- ``questions``: QuestionIntent and the intents generated from topics;
- ``followups``: MoreIntent, SourceIntent, yes/no to offers, repeat;
- ``builtins``: help, stop, cancel, fallback, unknown intents, session end,
  System.ExceptionEncountered;
- ``errors``: the catch-all exception handler.

``skill.skill.HANDLERS`` lists them in dispatch order.
"""
