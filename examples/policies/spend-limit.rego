# Spend limit: a payment is allowed when it stays under the client's per-transaction cap, in an allowed
# currency, and the running daily total (from the policy-data plugin) stays under the daily cap.
package newton.spend_limit

import rego.v1

default allow := false

allow if {
	input.amount > 0
	input.amount <= data.params.max_per_transaction
	input.currency in data.params.currencies
	daily_total + input.amount <= data.params.max_per_day
}

daily_total := object.get(data.policy_data, ["spend", "today", input.account], 0)

reasons contains "amount over the per-transaction cap" if input.amount > data.params.max_per_transaction

reasons contains sprintf("currency %s is not allowed", [input.currency]) if not input.currency in data.params.currencies
