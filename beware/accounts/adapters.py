from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Members are invited by the directie; nobody signs up on their own."""

    def is_open_for_signup(self, request):
        return False
