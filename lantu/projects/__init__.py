"""项目库与资金: projects with their 六定, fund sources and yearly availability, allocations,
disbursements to households, beneficiaries and assets; money traced from source to household."""
