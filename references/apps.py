from django.apps import AppConfig


class ReferencesConfig(AppConfig):
    name = "references"
    verbose_name = "Reference inventory"

    def ready(self) -> None:
        from accounts.teams import scope_vocabulary_register

        from .teams import TeamScopeVocabulary

        scope_vocabulary_register(TeamScopeVocabulary())  # a team's scope names the managed lists
