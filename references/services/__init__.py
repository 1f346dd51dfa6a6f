"""Every state-changing use case of the reference inventory.

Split by topic; import from here: ``from references import services``.
"""

from .approvals import *  # noqa: F403
from .imports import *  # noqa: F403
from .inventory import *  # noqa: F403
from .nominations import *  # noqa: F403
from .overuse import *  # noqa: F403
