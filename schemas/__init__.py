"""pandera models, one per form, and the aliases catalogue (forms.yaml)."""

from schemas.beneficiaries import Beneficiaries
from schemas.births import Births
from schemas.contraception import Contraception
from schemas.migrants import Migrants
from schemas.services import Services

MODELS = {
    "births": Births,
    "contraception": Contraception,
    "migrants": Migrants,
    "beneficiaries": Beneficiaries,
    "services": Services,
}
