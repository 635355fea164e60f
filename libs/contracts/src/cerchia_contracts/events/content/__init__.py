"""Events produced by the content service, one module per topic."""

from cerchia_contracts.events.content.discussions import *  # noqa: F403
from cerchia_contracts.events.content.library import *  # noqa: F403
from cerchia_contracts.events.content.messages import *  # noqa: F403
from cerchia_contracts.events.content.moderation import *  # noqa: F403
