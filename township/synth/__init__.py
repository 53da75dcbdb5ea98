"""Deterministic sample data: the golden sample township and bench-scale townships.

`generate_sample` writes the 复合镇 sample: 22 villages, report months 2025-10 … 2026-03, the
kinds of mess villages really send, and planted noise (cumulative registers, duplicates, twins,
births reported by two villages, resubmissions, invalid rows, late reports, an unknown village,
an outlier). Once the pipeline has dealt with the noise, statistical half-year SY2026H1 gives
exactly the seed report's figures (477 births, 403/64/10 by parity, …).

`generate_scaled` writes large, clean data sets for benchmarks.

Both return, and write as JSON, a truth dict computed from the generator's own list of true
events: no pipeline code is used apart from the form catalogue (for header aliases).
Every file is byte-identical from run to run for a given seed, and carries a deterministic
modification time: the moment the township "received" it.

One module per job, each importing only those above it:

    writer        workbooks and CSV files from a plain description of sheets and cells
                  (also what the tests and benchmarks write their files with)
    people        residents: names, valid and unique ID numbers, the mistakes made with them
    months        months, periods, the times reports arrive
    events        the true world: villages, births, beneficiaries, monthly figures
    styles        how a village fills its workbook: style choices, how values are written
    submissions   a village's submission laid out cell by cell in its style, and written
    truth         indicators computed from the true events; the truth file
    golden_plan   the 复合镇 half year as it truly happened, planned for the seed report
    golden        the golden sample: the plan written down by villages, noise planted
    scaled        bench-scale townships
"""

from township.synth.golden import generate_sample
from township.synth.golden_plan import plan_golden
from township.synth.months import periods_of_month
from township.synth.scaled import generate_scaled
from township.synth.styles import STYLE_OPTIONS, Style

__all__ = [
    "STYLE_OPTIONS",
    "Style",
    "generate_sample",
    "generate_scaled",
    "periods_of_month",
    "plan_golden",
]
