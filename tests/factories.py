"""factory_boy factories for the whole test suite."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User
from ledger.models import UsageEntry
from references.models import (
    ActivityType,
    Contact,
    Customer,
    Industry,
    Language,
    Nomination,
    Product,
    ReferenceProfile,
    Region,
    UseCase,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = "sales"
    password = factory.django.Password("pass-word-123")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Product {n}")
    product_line = "Management"


class UseCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UseCase
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Use case {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    crm_id = factory.Sequence(lambda n: f"CRM-{n:06d}")
    industry = factory.LazyFunction(lambda: Industry.objects.get(code="finance"))
    region = factory.LazyFunction(lambda: Region.objects.get(code="emea"))
    country = "DE"
    size_band = "enterprise"
    employees = 2500
    health_score = 50
    health_updated = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    title = "VP of IT"
    seniority = "vp"
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")
    phone = "+49 30 1234567"
    # Pages and e-mails to the contact speak English in tests (else their customer's country's:
    # German for the default "DE"); a test of another language sets it, or blanks it.
    preferred_language = "en"

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if create:
            self.languages.set(Language.objects.filter(code__in=extracted or ["en"]))


class ReferenceProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferenceProfile
        skip_postgeneration_save = True

    contact = factory.SubFactory(ContactFactory)
    customer = factory.SelfAttribute("contact.customer")
    status = "active"
    headline = "Cut incident response time in half"
    story = "Replaced a legacy tool across 40 sites."
    deployment = "cloud"
    competitor = "Legacy Monitor"
    outcomes = "50% faster incident response"
    last_validated = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))

    @factory.post_generation
    def activity_types(self, create, extracted, **kwargs):
        if create:
            self.activity_types.set(ActivityType.objects.filter(code__in=extracted or ["call", "email"]))

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)

    @factory.post_generation
    def use_cases(self, create, extracted, **kwargs):
        if create and extracted:
            self.use_cases.set(extracted)

    @factory.post_generation
    def refresh_search(self, create, extracted, **kwargs):
        if create:
            from references.services import search_documents_refresh

            search_documents_refresh(profile_ids=[self.pk])
            self.refresh_from_db(fields=["search_document"])


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nomination

    customer = factory.SubFactory(CustomerFactory)
    contact_name = factory.Sequence(lambda n: f"Nominee {n}")
    contact_title = "Director of Operations"
    contact_email = factory.Sequence(lambda n: f"nominee{n}@customer.example")
    contact_seniority = "director"
    source = "sales"
    reason = "Very happy customer, went live in record time."
    nominated_by = factory.SubFactory(UserFactory)


class UsageEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageEntry

    reference = factory.SubFactory(ReferenceProfileFactory)
    customer = factory.SelfAttribute("reference.customer")
    activity_type = factory.LazyFunction(lambda: ActivityType.objects.get(code="call"))
    points = factory.LazyAttribute(lambda e: e.activity_type.weight)
    status = "done"
    occurred_on = factory.LazyFunction(timezone.localdate)
