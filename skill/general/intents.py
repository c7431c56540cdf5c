"""The Amazon built-in intents the skill answers (help, stop, yes, no...).

Other features add the built-ins they need themselves (the workout's pause
and resume, in skill/workout/intents.toml).
"""

BUILTIN_INTENTS = (
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.HelpIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.NoIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StopIntent",
    "AMAZON.YesIntent",
)
