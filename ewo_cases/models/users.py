"""People who sign in, their roles and the schools they work with."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewo_cases.models.base import Base, Timestamped, Versioned, enum_column
from ewo_cases.models.schools import School
from workflows.roles import Role

#: Roles whose work is tied to particular schools (an officer's patch, a lead's own school).
SCHOOL_LINKED_ROLES = frozenset({Role.OFFICER, Role.SCHOOL_LEAD})

user_schools = sa.Table(
    "user_schools",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("school_id", sa.ForeignKey("schools.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class User(Timestamped, Versioned, Base):
    """Someone who signs in: an officer, a school attendance lead, a team manager or an administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; the login form lower-cases what is typed.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, length=16))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    #: Changing this (new password, deactivation) ends every session the user has open.
    session_generation: Mapped[int] = mapped_column(default=1, server_default="1")
    last_signed_in_at: Mapped[datetime | None]

    schools: Mapped[list[School]] = relationship(secondary=user_schools, order_by="School.name")

    # Flask-Login protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Tie the session to this generation of the account, so old sessions stop working."""
        return f"{self.id}:{self.session_generation}"

    @property
    def school_ids(self) -> list[int]:
        return [school.id for school in self.schools]

    def __str__(self) -> str:
        return self.name
