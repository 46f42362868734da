"""The seed's vision, areas, goals, strategies and Bilaga 1's mapping, word for word."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from goals.models import OverarchingGoal, StrategicArea, Strategy, Vision

SEED = (Path(settings.BASE_DIR) / "fixtures/source/mal-och-styrmodell-danderyd.txt").read_text(
    encoding="utf-8"
)


def in_seed(text: str) -> bool:
    """The text stands in the seed, allowing only for line and page breaks."""
    flat = re.sub(r"\s+", " ", SEED)
    return re.sub(r"\s+", " ", text) in flat


pytestmark = pytest.mark.django_db


def test_exact_counts():
    assert Vision.objects.count() == 1
    assert StrategicArea.objects.count() == 5
    assert OverarchingGoal.objects.count() == 8
    assert Strategy.objects.count() == 6


def test_vision_word_for_word():
    vision = Vision.objects.get()
    assert vision.statement == "Danderyd – Sveriges bästa kommun att leva, bo och verka i"
    assert vision.elaboration == (
        "Danderyd möter invånarnas behov genom hela livet. Här kombineras den moderna "
        "trädgårdsstaden med hållbar stadsmiljö. Danderyds utveckling kännetecknas av "
        "engagemang och delaktighet."
    )
    assert in_seed(vision.statement) and in_seed(vision.elaboration)


def test_overarching_goals_word_for_word_with_their_years():
    goals = list(OverarchingGoal.objects.order_by("number"))
    assert [g.number for g in goals] == list(range(1, 9))
    for goal in goals:
        assert in_seed(f"{goal.number}. {goal.text}"), goal.text
    assert goals[6].text == "Kommunen ska ha låg kommunalskatt."
    assert [g.decided_year for g in goals] == [2009] * 7 + [2011]


def test_strategies_word_for_word_and_categories():
    strategies = list(Strategy.objects.order_by("number"))
    for strategy in strategies:
        if strategy.number != 3:
            assert in_seed(f"{strategy.number}. {strategy.text}"), strategy.text
    # Printed in capitals in the seed; stored in sentence case.
    assert strategies[2].text == (
        "Civilsamhälle och näringsliv ska ha goda förutsättningar att verka i kommunen"
    )
    assert in_seed(strategies[2].text.upper())
    assert [s.category for s in strategies] == [
        Strategy.Category.PROMISE_TO_RESIDENTS,
        Strategy.Category.PROMISE_TO_RESIDENTS,
        Strategy.Category.PROMISE_TO_RESIDENTS,
        Strategy.Category.GUIDING_PRINCIPLE,
        Strategy.Category.GUIDING_PRINCIPLE,
        Strategy.Category.PROMISE_TO_EMPLOYEES,
    ]
    assert strategies[0].get_category_display() == "Löften till kommunens invånare"


def test_areas_word_for_word():
    areas = list(StrategicArea.objects.order_by("number"))
    assert [a.name for a in areas] == [
        "Hög kvalitet",
        "Stor valfrihet",
        "Hög effektivitet",
        "Hög attraktivitet",
        "Stark utveckling",
    ]
    for area in areas:
        assert in_seed(f"{area.number}.) {area.name} {area.description}"), area.name
    assert areas[2].description.endswith("Danderyds kommun ska ha en låg kommunalskatt.")


def test_bilaga_1_mapping_exactly():
    mapping = {
        area.name: (
            sorted(area.overarching_goals.values_list("number", flat=True)),
            sorted(area.strategies.values_list("number", flat=True)),
        )
        for area in StrategicArea.objects.all()
    }
    assert mapping == {
        "Hög kvalitet": ([3], [1, 2]),
        "Stor valfrihet": ([2], [2]),
        "Hög effektivitet": ([4, 7], [5]),
        "Hög attraktivitet": ([1, 5], [6]),
        "Stark utveckling": ([6, 8], [4]),
    }


def test_strategy_3_carried_by_no_area_and_every_goal_by_one():
    assert not Strategy.objects.get(number=3).strategic_areas.exists()
    assert all(g.strategic_areas.exists() for g in OverarchingGoal.objects.all())


def test_vision_excerpt_only_for_hog_attraktivitet():
    excerpts = dict(StrategicArea.objects.values_list("name", "vision_excerpt"))
    assert excerpts.pop("Hög attraktivitet") == (
        "Här kombineras den moderna trädgårdsstaden med hållbar stadsmiljö."
    )
    assert set(excerpts.values()) == {""}
