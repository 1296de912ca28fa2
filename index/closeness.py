"""Whether a search answers at all: a question the reports do not answer is said so, with its closest few.

The searcher's relevance floor (index/search/present.py) hides passages that neither mean what the question
asks nor hold its rare words, and says so when none is left. A passage that holds the question's rare
words passes it, however far its meaning: "what is the difference between SIF and ILACS?" finds report
summaries that name both frameworks and say nothing of the difference. So after the search, the best
passage shown must also reach the answer floor (index/settings.py, per model); when it does not, only
the closest few are shown, marked as such, with the searcher's own words for it.
"""

from __future__ import annotations

from dataclasses import replace

from index.search import SearchResponse
from index.settings import SearchSettings
from index.tokenize import content_words


def with_close_answer(response: SearchResponse, settings: SearchSettings, model: str) -> SearchResponse:
    """The response as it is when its best passage is close enough to answer; else its closest few.

    Args:
        response: a search's response (`ReportIndex.search`).
        settings: the searcher's settings (the answer floor and how many of the closest to show).
        model: the embedding model's name (the floor is per model).
    Returns:
        The same response when it already says nothing answers closely, has no results or no
        similarities, or its best passage reaches the floor; else a copy with the first
        `settings.closest_shown` results, each marked `below_floor`, and a message saying so.
    """
    floor = settings.answer_floor(model)
    similarities = [r.similarity for r in response.results if r.similarity is not None]
    if floor is None or response.message or not similarities or max(similarities) >= floor:
        return response
    closest = response.results[:settings.closest_shown]
    for result in closest:
        result.below_floor = True
    asked = ", ".join(content_words(response.topic or response.query)[:6]) or response.query
    return replace(response, results=closest,
                   message=f"no passage in these reports answers closely ({asked}); the closest are shown below")
