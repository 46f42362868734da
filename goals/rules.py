"""Pure rules of the follow-up: the suggested assessment, whether an outcome reaches its target."""

from .models import Assessment

SUGGESTION_RULE = (
    "Förslaget räknas fram ur indikatorerna. En indikator når sitt mål när utfallet är minst "
    "målvärdet för året (högst målvärdet där ett lägre värde är bättre). Når alla indikatorer "
    "som har både målvärde och utfall sitt mål föreslås ”Uppfyllt”; når minst hälften det "
    "föreslås ”Delvis uppfyllt”; når färre än hälften det föreslås ”Ej uppfyllt”. Har ingen "
    "indikator både målvärde och utfall föreslås ”Ej bedömt”. Väljer du en annan bedömning "
    "behöver du motivera den."
)


def indicator_reaches_target(*, value, target, higher_is_better: bool) -> bool:
    return value >= target if higher_is_better else value <= target


def suggest_assessment(pairs) -> str:
    """pairs: (value, target, higher_is_better) per indicator; None where missing."""
    judged = [
        indicator_reaches_target(value=v, target=t, higher_is_better=h)
        for v, t, h in pairs
        if v is not None and t is not None
    ]
    if not judged:
        return Assessment.NOT_ASSESSED
    met = sum(judged)
    if met == len(judged):
        return Assessment.FULFILLED
    if met * 2 >= len(judged):
        return Assessment.PARTLY
    return Assessment.NOT_FULFILLED
