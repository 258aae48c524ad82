"""Attribution engine: who said what in an article, with exact character spans.

``AttributionExtractor`` turns text into ``bot.model.Claim`` records. Importing this package
does not import spaCy; the model loads on the first extraction.
"""

from bot.attribution.extractor import AttributionExtractor

__all__ = ["AttributionExtractor"]
