"""Events produced by the membership service, one module per topic."""

from cerchia_contracts.events.membership.communities import *  # noqa: F403
from cerchia_contracts.events.membership.introductions import *  # noqa: F403
from cerchia_contracts.events.membership.sessions import *  # noqa: F403
from cerchia_contracts.events.membership.tokens import *  # noqa: F403
from cerchia_contracts.events.membership.users import *  # noqa: F403
