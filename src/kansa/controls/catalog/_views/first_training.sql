-- depends: training_records
-- Each person's first completion of each course (ever; a control decides what counts as "in
-- time"). Shared because the people controls report the same "first trained on" evidence.
select person_id, course, min(completed_on) as first_trained_on
from training_records
group by person_id, course
