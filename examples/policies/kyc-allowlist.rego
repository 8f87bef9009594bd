# KYC allowlist: only accounts whose identity record (looked up by the policy-data plugin) is verified at the
# required level, and not expired, may transact.
package newton.kyc_allowlist

import rego.v1

default allow := false

levels := {"basic": 1, "enhanced": 2, "institutional": 3}

record := data.policy_data.kyc.records[lower(input.account)]

allow if {
	record.status == "verified"
	levels[record.level] >= levels[data.params.min_level]
	time.parse_rfc3339_ns(record.expires_at) > time.now_ns()
	not record.country in data.params.blocked_countries
}
