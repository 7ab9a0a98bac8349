"""Workbench pages for cases (REC-01 … REC-03, REC-06, REC-08, REC-09): the list of
my cases, opening a case, the case page, and the record and signature forms.

They read through ``zhifa.cases.selectors``, write through
``zhifa.cases.services`` and show a ``ZhifaError``'s Chinese message on the form;
another agency's case is a 404, as in the selectors.
"""
