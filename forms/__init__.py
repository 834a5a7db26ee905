"""Input shapes for every page: WTForms fields, validators and labels only. Forms never touch the
database; a view gives a form its choices and hands the validated data to a service."""
