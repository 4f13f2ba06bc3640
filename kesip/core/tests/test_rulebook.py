"""The rulebook's legal sources as the pages show them."""


def test_a_clause_reference_is_said_in_the_language_of_the_page():
    from django.utils import translation

    from kesip.core.models.rulebook import localize_clause

    clause = "п. 56, items 2, 5; п. 11; Labour Code of the KR, art. 91; п. 53 (table, section 5)"
    with translation.override("ru"):
        assert localize_clause(clause) == "п. 56, подп. 2, 5; п. 11; Трудовой кодекс КР, ст. 91; п. 53 (таблица, раздел 5)"
    with translation.override("kk"):
        assert localize_clause("п. 58, item 11") == "п. 58, тармақша 11"
    with translation.override("en"):
        assert localize_clause(clause) == clause
    assert localize_clause("Itemset, sectional") == "Itemset, sectional"  # whole words only
