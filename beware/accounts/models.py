from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from beware.common.models import HashedKey


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("Een gebruiker heeft een e-mailadres nodig.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person with a login; e-mail is the username."""

    username = None
    email = models.EmailField("e-mailadres", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        verbose_name = "gebruiker"
        verbose_name_plural = "gebruikers"
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email


class ApiToken(HashedKey):
    """A key for the REST API (`Authorization: Token <sleutel>`), made by its
    user. Only the key's SHA-256 is stored: the key itself is shown once, when
    it is made, and cannot be looked up afterwards."""

    PREFIX = "bw_"

    user = models.ForeignKey(User, verbose_name="gebruiker", on_delete=models.CASCADE, related_name="api_tokens")
    naam = models.CharField("naam", max_length=100, help_text="Waarvoor de sleutel dient, bijv. boekhouding.")

    class Meta:
        verbose_name = "API-sleutel"
        verbose_name_plural = "API-sleutels"
        ordering = ["-aangemaakt", "-id"]

    def __str__(self):
        return f"{self.naam} ({self.user})"
