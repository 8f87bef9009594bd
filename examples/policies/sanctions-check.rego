# Sanctions check: deny any transfer whose sender or recipient is on a screened list (the plugin's result),
# and require a fresh screening result.
package newton.sanctions_check

import rego.v1

default allow := false

screening := data.policy_data.screening

allow if {
	screening.fetched_at_ns + (data.params.max_age_seconds * 1000000000) >= time.now_ns()
	not flagged(input.from)
	not flagged(input.to)
}

flagged(address) if lower(address) in {lower(a) | some a in screening.listed_addresses}

flagged(address) if {
	some risk in screening.risk_scores
	lower(risk.address) == lower(address)
	risk.score >= data.params.max_risk_score
}
