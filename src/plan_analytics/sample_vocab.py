"""Word lists and sentence templates for the synthetic export.

Names are combinations of common given names and surnames drawn at random, so
no generated person is a real one. Templates use `{field}` placeholders that
`sample_text.render` fills column-wise; every category has enough alternatives
(and numbers inside the sentences) that two clients' plans stay far apart in
the clone rule's shingle similarity.
"""

from __future__ import annotations

from dataclasses import dataclass

FIRST_NAMES = (
    "Aaliyah Aaron Abigail Adrian Aiden Alexis Alicia Amara Andre Angela Anika Ari Asher Aubrey Ava "
    "Beatriz Benjamin Bianca Brandon Brianna Caleb Camila Carlos Carmen Cecilia Chloe Colin Connor "
    "Daniel Daria Darius Delia Derek Diana Dominic Elena Elijah Elise Emeka Emily Esther Ethan Fatima "
    "Felix Fiona Gabriel Gemma Grace Hannah Harper Hector Imani Isaac Isabel Ivan Jada Jamal Jasmine "
    "Javier Jenna Jonah Jordan Julia Kai Kayla Keisha Kenji Kiara Lamar Laura Leah Leo Liam Lila "
    "Lorenzo Lucia Luis Maya Malik Marco Mariana Marisol Mason Mateo Megan Mia Miles Nadia Naomi "
    "Nathan Nia Noah Nora Olivia Omar Owen Paige Priya Quinn Rafael Rebecca Reggie Renee Rosa Ryan "
    "Sabrina Samuel Sara Serena Simone Sofia Tariq Teresa Theo Tyler Valerie Vanessa Victor Wesley "
    "Xavier Yara Yusuf Zoe Zara"
).split()

LAST_NAMES = (
    "Abbott Acosta Adler Alvarez Archer Baker Banks Barrett Bauer Bell Bishop Blake Bowen Boyd Brooks "
    "Bryant Burke Caldwell Campbell Carver Castillo Chandler Chen Clarke Coleman Collins Cortez Crane "
    "Dalton Daniels Delgado Dixon Douglas Duncan Ellis Emerson Espinoza Farrell Fischer Fleming Flores "
    "Foster Fowler Garner Gibson Gordon Graves Greer Hale Hammond Hanson Harper Hayes Herrera Hobbs "
    "Holland Hughes Ibarra Ingram Jacobs Jensen Kaplan Keller Kim Knox Lambert Larsen Lawson Lindqvist "
    "Lowe Lucero Maddox Malone Marsh Medina Mercer Molina Moreno Nash Navarro Nguyen Novak Oakley "
    "Ochoa Okafor Osei Padilla Park Patel Pearson Perkins Pham Porter Quintero Ramos Reyes Rhodes "
    "Rios Rowe Salazar Sandoval Schultz Serrano Shah Shepherd Sims Soto Stanton Sutton Tanaka Thornton "
    "Tran Underwood Valdez Vance Vargas Walsh Warren Webb Whitaker Wolfe Yates Zamora"
).split()

CREDENTIALS = ("PhD", "PsyD", "LCSW", "LPC", "LMFT", "LMHC", "LICSW", "MD")

# Payers as a practice's billing system writes them; weights sum to 1.
PAYERS = ("Aetna", "BlueCross", "Cigna", "Medicaid", "UnitedHealthcare", "Medicare")
PAYER_WEIGHTS = (0.18, 0.24, 0.14, 0.22, 0.17, 0.05)

REFERRERS = (
    "their primary care physician", "a school counselor", "their employer's assistance program",
    "a psychiatrist", "the emergency department", "an urgent care clinician", "their OB-GYN",
    "a pediatrician", "a former therapist", "their insurance care manager",
)
FAMILY = ("a partner", "a spouse", "a parent", "an adult sibling", "a close friend", "a roommate")
MEDICATIONS = (
    "sertraline", "escitalopram", "fluoxetine", "bupropion", "venlafaxine", "duloxetine",
    "buspirone", "methylphenidate", "lisdexamfetamine", "trazodone", "hydroxyzine", "mirtazapine",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "weekend")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)

REASON_TEMPLATES = (
    "{first} was referred by {referrer} for {problem} {trigger}.",
    "{first} self-referred for {problem} {trigger}.",
    "Referred by {referrer}; {first} describes {problem} {trigger}.",
    "{first} sought treatment at the urging of {family} because of {problem} {trigger}.",
    "Presents for outpatient therapy for {problem} {trigger}, per referral from {referrer}.",
    "{first} reports {problem} {trigger} and requested weekly counseling.",
    "Intake requested by {family} on {first}'s behalf for {problem} {trigger}.",
    "{first} contacted the practice about {problem} {trigger} after a visit with {referrer}.",
)

SYMPTOM_LEADS = (
    "{first} reports ", "Client reports ", "Presents with ", "Endorses ", "At intake {first} described ",
    "Current symptoms include ", "{first} and collateral describe ", "Screening and interview show ",
)

HISTORY_TEMPLATES = (
    "No prior mental health treatment reported.",
    "Outpatient counseling in {year} for about {n} months, which {first} found somewhat helpful.",
    "Prescribed {med} by a primary care provider since {year}; reports partial benefit.",
    "Saw a school counselor for {n} sessions in {year}; no other treatment.",
    "Completed an intensive outpatient program in {year} and stepped down to individual therapy.",
    "Brief couples counseling in {year} ({n} sessions), discontinued after a move.",
    "Tried {med} in {year} but stopped after {n} weeks because of side effects.",
    "One emergency department visit in {year} for a panic episode; no admission.",
    "Previous therapist retired in {year}; {first} attended roughly {m} sessions before that.",
    "Denies previous therapy; took {med} briefly in {year} at a psychiatrist's suggestion.",
    "Group therapy through a community clinic in {year}, attended {n} of {m} meetings.",
    "No medication history; attended {n} telehealth counseling visits through an app in {year}.",
)

REVIEW_HISTORY = (
    " In treatment with this provider since {since}; {count} sessions attended to date.",
    " Continuing care since {since} ({count} completed sessions).",
    " Plan review: engaged in therapy since {since}, {count} sessions so far.",
)

FREQUENCY_WEEKLY = (
    "Weekly sessions of about {minutes} minutes.",
    "Meets weekly; sessions run {minutes} minutes.",
    "Sessions once a week, {minutes} minutes, with between-session practice.",
)
FREQUENCY_BIWEEKLY = (
    "Sessions every other week, about {minutes} minutes.",
    "Biweekly {minutes}-minute sessions with homework in between.",
    "Every two weeks for {minutes} minutes; frequency reviewed at each plan update.",
)

GENERAL_INTERVENTIONS = (
    "Psychoeducation about the diagnosis and treatment options",
    "Motivational interviewing to build commitment to change",
    "Mindfulness practice and grounding skills",
    "Sleep hygiene coaching",
    "Collaborative safety planning reviewed as needed",
    "Coordination with the prescribing clinician",
    "Values clarification from acceptance and commitment therapy",
    "Solution-focused brief therapy techniques",
)

# Steps every category can borrow: they make goals less uniform.
GENERAL_STEPS = (
    "Complete the between-session worksheet and bring it to the next visit",
    "Track mood on a 0-10 scale {n} times a day in a phone app",
    "Schedule {n} pleasant activities each week and rate enjoyment",
    "Practice paced breathing for {n} minutes twice daily",
    "Identify {n} supportive contacts and reach out to one each week",
    "Review progress toward this goal with the therapist every {n} sessions",
    "Limit caffeine after noon and keep a consistent bedtime {n} nights a week",
    "Read the assigned handout and note {n} questions for session",
)


@dataclass(frozen=True)
class Goal:
    text: str
    steps: tuple[str, ...]
    outcomes: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    key: str
    diagnoses: tuple[str, ...]  # each entry: codes joined by ';'
    min_age: int
    max_age: int
    problems: tuple[str, ...]
    triggers: tuple[str, ...]
    symptoms: tuple[str, ...]
    goals: tuple[Goal, ...]
    interventions: tuple[str, ...]


CATEGORIES = (
    Category(
        "anxiety",
        ("F41.1", "F41.1", "F41.1;F51.01", "F41.1;F32.0"),
        18, 74,
        ("persistent worry that is interfering with work and sleep", "constant nervousness and tension",
         "worry that makes daily decisions hard", "anxiety that has grown over the past {n} months"),
        ("since a promotion to a management role", "after a family member's illness", "following a layoff",
         "since starting graduate school", "after moving to a new city", "since the birth of a child"),
        ("worrying {m} or more hours a day", "muscle tension rated {n}/10", "trouble falling asleep most nights",
         "restlessness and feeling on edge", "difficulty concentrating at work", "irritability with family",
         "a GAD-7 score of {m}", "fatigue by mid-afternoon", "frequent reassurance seeking",
         "avoiding email for fear of bad news", "headaches {n} days a week", "racing thoughts at bedtime"),
        (
            Goal("Reduce the time {first} spends worrying each day",
                 ("Keep a worry log and set aside a {n}-minute worry period daily",
                  "Use the decatastrophizing worksheet when a worry exceeds {n}/10",
                  "Practice cognitive restructuring on {n} worries per week",
                  "Postpone worries outside the scheduled period and note the outcome",
                  "Notice and label body tension before it peaks"),
                 ("Worry time under {n} hours a day for four consecutive weeks",
                  "GAD-7 score below {n} on two consecutive screenings")),
            Goal("Improve sleep onset and quality",
                 ("Follow a wind-down routine starting {n} minutes before bed",
                  "Get out of bed after 20 minutes awake and return when drowsy",
                  "Keep a sleep diary for {n} weeks", "Stop screens {n} minutes before lights out"),
                 ("Falls asleep within 30 minutes on {n} of 7 nights",
                  "Averages at least {n} hours of sleep per night")),
            Goal("Build tolerance for uncertainty at work",
                 ("Send emails after a single review instead of repeated checks",
                  "Delegate {n} tasks a week without follow-up checking",
                  "Rate anxiety before and after each uncertainty experiment",
                  "Identify safety behaviors and drop one per week"),
                 ("Completes {n} uncertainty experiments per week with anxiety under 5/10",
                  "Reports reassurance seeking at work reduced by half")),
            Goal("Reduce physical tension and headaches",
                 ("Practice progressive muscle relaxation {n} times a week",
                  "Take a movement break every {n} minutes at the desk",
                  "Record headache days in the symptom log"),
                 ("Headaches on no more than {n} days a month",
                  "Self-rated muscle tension at or below {n}/10")),
            Goal("Re-engage in avoided activities",
                 ("List avoided situations and rank them from 1 to {m}",
                  "Approach one item on the list each week",
                  "Plan a social outing every {n} weeks"),
                 ("Completes {n} previously avoided activities",
                  "Reports avoidance no longer limits weekend plans")),
        ),
        ("Cognitive behavioral therapy (CBT) for generalized anxiety", "Worry exposure and postponement",
         "Progressive muscle relaxation", "Problem-solving therapy", "Applied relaxation training"),
    ),
    Category(
        "depression",
        ("F32.1", "F32.1", "F32.0", "F32.2", "F32.1;F41.1"),
        18, 80,
        ("low mood and loss of interest", "a depressive episode that began about {n} months ago",
         "sadness, withdrawal and low energy", "persistent low mood affecting work attendance"),
        ("after a divorce", "following the death of a parent", "after a job loss",
         "since a chronic pain diagnosis", "after the end of a long relationship", "since retiring"),
        ("depressed mood most of the day", "a PHQ-9 score of {m}", "loss of interest in hobbies",
         "sleeping {n} hours more than usual", "poor appetite with weight loss", "feelings of worthlessness",
         "difficulty getting out of bed on {n} days a week", "tearfulness", "social withdrawal from friends",
         "low energy and slowed movement", "passive thoughts of death without plan or intent",
         "missing {n} work days in the last month"),
        (
            Goal("Increase daily activity and pleasure",
                 ("Schedule {n} valued activities per week using the activity calendar",
                  "Rate mastery and pleasure after each activity",
                  "Walk outdoors for {n} minutes on weekdays", "Plan one social contact each weekend"),
                 ("Completes at least {n} scheduled activities a week for a month",
                  "PHQ-9 below {n} at the next plan review")),
            Goal("Challenge self-critical thinking",
                 ("Use the thought record for {n} upsetting situations per week",
                  "Identify the cognitive distortion in each recorded thought",
                  "Write a balanced alternative thought and re-rate mood"),
                 ("Self-critical thoughts rated below {n}/10 in believability",
                  "Completes thought records independently on {n} occasions")),
            Goal("Restore a regular sleep and meal routine",
                 ("Set a fixed wake time within {n}0 minutes daily", "Eat {n} meals a day at regular times",
                  "Limit naps to 30 minutes before 3 pm"),
                 ("Consistent wake time on {n} of 7 days", "Regains appetite and stable weight")),
            Goal("Return to full work attendance",
                 ("Meet with supervisor to plan a graded return", "Prepare clothes and lunch the night before",
                  "Use coping card on mornings with low motivation"),
                 ("Misses no more than {n} work days per month", "Reports work tasks feel manageable")),
            Goal("Reconnect with supportive relationships",
                 ("Call or text {n} friends a week", "Accept at least one invitation a month",
                  "Share the treatment plan with {family}"),
                 ("Reports {n} meaningful social contacts weekly", "Loneliness rated below {n}/10")),
        ),
        ("Behavioral activation", "Cognitive behavioral therapy (CBT) for depression",
         "Interpersonal therapy focusing on role transitions", "Grief-focused interventions",
         "Self-compassion exercises"),
    ),
    Category(
        "recurrent_depression",
        ("F33.1", "F33.1", "F33.0", "F33.1;F41.1"),
        20, 78,
        ("a recurrence of major depression", "another depressive episode after {n} years of stability",
         "returning low mood and hopelessness", "depressive symptoms that recur each winter"),
        ("after stopping medication", "during a stressful custody process", "after a relapse of alcohol use",
         "following caregiving for an ill spouse", "since a disability leave began", "after a move away from family"),
        ("hopelessness about the future", "a PHQ-9 score of {m}", "early morning awakening at {n} am",
         "poor concentration when reading", "guilt about past episodes", "reduced self-care",
         "irritability and conflict at home", "anhedonia for about {n} weeks", "slowed thinking",
         "withdrawal from church or community groups", "ruminating for {n} hours at night", "low motivation"),
        (
            Goal("Prevent relapse by recognizing early warning signs",
                 ("Write a relapse signature with {n} personal warning signs",
                  "Review the warning sign list every Sunday", "Share the list with {family}",
                  "Use the mood chart to spot drops of {n} points or more"),
                 ("Identifies warning signs and acts on them within {n} days",
                  "No return to a PHQ-9 above {m} for three months")),
            Goal("Reduce rumination",
                 ("Use a {n}-minute mindfulness recording when ruminating",
                  "Shift from why questions to how questions in the thought log",
                  "Schedule problem-solving time instead of evening brooding"),
                 ("Rumination under {n} minutes per evening", "Reports rumination no longer delays sleep")),
            Goal("Rebuild daily structure",
                 ("Plan the next day each evening with {n} fixed anchors", "Shower and dress before 9 am",
                  "Complete one household task daily"),
                 ("Follows the daily plan on {n} days a week", "Self-care rated adequate by {family}")),
            Goal("Improve medication and treatment adherence",
                 ("Use a pill organizer and phone reminder", "Bring questions to each prescriber visit",
                  "Track missed doses on the calendar"),
                 ("Misses no more than {n} doses per month", "Attends all scheduled prescriber visits")),
        ),
        ("Mindfulness-based cognitive therapy", "Cognitive behavioral therapy (CBT)", "Behavioral activation",
         "Relapse prevention planning", "Rumination-focused CBT techniques"),
    ),
    Category(
        "trauma",
        ("F43.10", "F43.10", "F43.12", "F43.10;F32.1"),
        18, 70,
        ("intrusive memories and hypervigilance", "trauma symptoms that have lasted about {n} months",
         "nightmares and startle responses", "avoidance and numbness after a traumatic event"),
        ("after a serious car accident", "following an assault", "after military deployment",
         "since a house fire", "after witnessing a workplace injury", "following a medical emergency"),
        ("nightmares {n} nights a week", "a PCL-5 score of {m}", "startling at loud noises",
         "avoiding driving on highways", "intrusive memories several times a day", "emotional numbness",
         "hypervigilance in crowds", "irritability and anger outbursts", "difficulty trusting coworkers",
         "sleeping with lights on", "flashbacks triggered by smells", "dissociating for {n} minutes at a time"),
        (
            Goal("Decrease frequency of nightmares",
                 ("Rewrite the recurring nightmare script in session",
                  "Rehearse the new script for {n} minutes before bed", "Record nightmare frequency weekly"),
                 ("Nightmares no more than {n} nights per week", "Sleeps through the night on {n} nights")),
            Goal("Reduce avoidance of trauma reminders",
                 ("Build an exposure hierarchy with {m} steps", "Complete in vivo exposure {n} times a week",
                  "Stay in each exposure until distress drops by half"),
                 ("Drives the avoided route {n} times without leaving early",
                  "PCL-5 score reduced by at least {m} points")),
            Goal("Process the traumatic memory",
                 ("Write the impact statement", "Identify stuck points about safety and trust",
                  "Complete challenging beliefs worksheets for {n} stuck points"),
                 ("Stuck point belief ratings below {n}0 percent", "Reports memory is upsetting but manageable")),
            Goal("Improve emotional regulation",
                 ("Use 5-4-3-2-1 grounding when dissociating", "Practice box breathing {n} times daily",
                  "Identify anger cues and take a time-out"),
                 ("Fewer than {n} anger outbursts per month", "Uses grounding successfully in {n} episodes")),
        ),
        ("Cognitive processing therapy (CPT)", "Prolonged exposure therapy", "Trauma-focused CBT",
         "EMDR per standard protocol", "Grounding and stabilization skills"),
    ),
    Category(
        "adjustment",
        ("F43.23", "F43.21", "F43.22", "F43.23", "F43.25"),
        16, 80,
        ("difficulty coping with a major life change", "stress and mixed anxiety and low mood",
         "trouble adjusting over the last {n} months", "overwhelm and irritability"),
        ("after a divorce", "following a cancer diagnosis", "after relocating for work",
         "since becoming a caregiver", "after a miscarriage", "since a business closed"),
        ("feeling overwhelmed by daily tasks", "tearful episodes {n} times a week", "worry about finances",
         "irritability with children", "withdrawal from friends", "trouble sleeping since the change",
         "difficulty making decisions", "a PHQ-9 score of {m}", "reduced appetite",
         "feeling stuck and unable to plan", "missed deadlines at work", "conflict with {family}"),
        (
            Goal("Develop coping strategies for the life transition",
                 ("List {n} stressors and sort them into changeable and unchangeable",
                  "Apply the problem-solving steps to one stressor per week",
                  "Use acceptance statements for unchangeable stressors"),
                 ("Reports stress at or below {n}/10 on most days", "Has a written plan for each main stressor")),
            Goal("Strengthen social support",
                 ("Join a support group within {n} weeks", "Schedule a weekly call with {family}",
                  "Ask for help with one concrete task"),
                 ("Attends {n} support group meetings", "Names at least {n} people to call when overwhelmed")),
            Goal("Restore a sense of routine",
                 ("Set a weekly calendar with work, rest and family time", "Keep bedtime within {n}0 minutes",
                  "Plan meals for the week on Sundays"),
                 ("Follows the routine {n} days a week", "Feels in control of daily schedule")),
            Goal("Express emotions about the change in healthy ways",
                 ("Journal for {n} minutes three times a week", "Use I-statements in difficult conversations",
                  "Name the emotion before responding"),
                 ("Reports fewer than {n} arguments per month", "Tearful episodes reduced to {n} per week")),
        ),
        ("Supportive therapy", "Problem-solving therapy", "Cognitive behavioral therapy (CBT)",
         "Stress management training", "Acceptance and commitment therapy (ACT)"),
    ),
    Category(
        "adhd",
        ("F90.0", "F90.2", "F90.2", "F90.0;F41.1", "F90.1"),
        7, 17,
        ("inattention and incomplete schoolwork", "impulsivity at home and school",
         "falling grades over {n} months", "difficulty following instructions"),
        ("since starting middle school", "after a teacher raised concerns", "since a change of school",
         "during the transition to remote classes", "since parents' separation", "after a suspension"),
        ("missing {n} assignments a month", "blurting out in class", "losing belongings daily",
         "homework taking {n} hours with frequent breaks", "arguments over chores", "trouble waiting turns",
         "fidgeting and leaving the seat", "forgetting multi-step instructions", "a Vanderbilt score of {m}",
         "low frustration tolerance", "difficulty falling asleep", "conflict with siblings"),
        (
            Goal("Improve homework completion",
                 ("Use a visual checklist for each homework session", "Work in {n}0-minute blocks with short breaks",
                  "Parent reviews the planner each evening", "Earn points on the reward chart for finished work"),
                 ("Turns in at least 9{n} percent of assignments", "Homework finished without argument {n} nights a week")),
            Goal("Reduce impulsive behavior at school",
                 ("Practice stop-think-act with role plays", "Use a hand signal agreed with the teacher",
                  "Teacher completes a daily report card"),
                 ("Daily report card goals met on {n} of 5 days", "Fewer than {n} office referrals per term")),
            Goal("Strengthen parent-child routines",
                 ("Parents give one instruction at a time and check understanding",
                  "Use labeled praise {n} times a day", "Keep a consistent bedtime routine"),
                 ("Follows morning routine with no more than {n} reminders", "Parent-rated conflict below {n}/10")),
            Goal("Build frustration tolerance",
                 ("Name the feeling and use the calm-down corner", "Practice a {n}-breath routine when upset",
                  "Problem-solve a recent frustrating event in session"),
                 ("Meltdowns reduced to {n} per week", "Uses a coping skill without prompting")),
        ),
        ("Parent management training", "Behavioral classroom interventions coordinated with school",
         "Organizational skills training", "Cognitive behavioral therapy adapted for youth",
         "Family therapy sessions with caregivers"),
    ),
    Category(
        "ocd",
        ("F42.2", "F42.2", "F42.2;F32.0"),
        14, 65,
        ("intrusive thoughts and checking rituals", "contamination fears and washing",
         "compulsions that take over {n} hours a day", "obsessive doubts interfering with work"),
        ("since a health scare", "after the birth of a child", "since starting college",
         "after a break-in at home", "since a promotion", "after a friend's illness"),
        ("checking locks {m} times before leaving", "hand washing {n} times an hour", "a Y-BOCS score of {m}",
         "intrusive harm thoughts", "needing things to feel just right", "mental reviewing at night",
         "avoiding public restrooms", "reassurance seeking from {family}", "late to work because of rituals",
         "counting rituals", "distress rated {n}/10 when rituals are blocked", "raw skin from washing"),
        (
            Goal("Reduce time spent on compulsions",
                 ("Build an exposure and response prevention hierarchy with {m} items",
                  "Complete exposures {n} times a week without rituals",
                  "Delay rituals by {n} minutes and extend the delay weekly",
                  "Record distress ratings before and after exposure"),
                 ("Rituals under {n} hours a week", "Y-BOCS score reduced by at least {m} points")),
            Goal("Decrease reassurance seeking",
                 ("Agree on a supportive no-reassurance script with {family}",
                  "Track reassurance requests on a tally card", "Replace requests with an uncertainty statement"),
                 ("Reassurance requests under {n} per day", "Family reports less involvement in rituals")),
            Goal("Leave home on time",
                 ("Check the door once and leave", "Use a one-check photo rule for {n} days",
                  "Rate urges on the way to work"),
                 ("On time to work {n} of 5 days", "Leaves home within {n} minutes of plan")),
        ),
        ("Exposure and response prevention (ERP)", "Cognitive therapy for obsessions",
         "Inference-based CBT techniques", "Family accommodation reduction"),
    ),
    Category(
        "panic_social",
        ("F41.0", "F40.10", "F40.10", "F41.0;F40.00", "F40.11"),
        16, 70,
        ("panic attacks and fear of further attacks", "fear of social situations",
         "avoidance of meetings and public speaking", "panic symptoms for about {n} months"),
        ("after a panic attack while driving", "since starting a client-facing job", "after a public embarrassment",
         "since returning to the office", "after a cardiac work-up was negative", "since college began"),
        ("panic attacks {n} times a week", "racing heart and shortness of breath", "fear of fainting in public",
         "avoiding crowded stores", "blushing and shaking when speaking", "a PDSS score of {m}",
         "skipping meetings", "rehearsing conversations for hours", "eating lunch alone to avoid others",
         "a LSAS score of {m}", "carrying a water bottle as a safety item", "leaving events early"),
        (
            Goal("Reduce frequency and intensity of panic attacks",
                 ("Learn the panic cycle and label body sensations",
                  "Complete interoceptive exposures for {n} minutes daily", "Drop one safety behavior a week"),
                 ("Panic attacks no more than {n} per month", "Peak panic intensity below {n}/10")),
            Goal("Participate in meetings at work",
                 ("Speak at least once in {n} meetings per week", "Prepare one question before each meeting",
                  "Shift attention outward during conversations"),
                 ("Speaks up in {n} meetings a week", "Social anxiety rated below {n}/10 in meetings")),
            Goal("Enter avoided public places",
                 ("Build an exposure ladder from {n} to {m}", "Visit a grocery store at busy times weekly",
                  "Stay until anxiety falls by half"),
                 ("Shops alone without leaving early {n} times", "Avoidance ratings cut in half")),
        ),
        ("Panic control treatment", "Interoceptive exposure", "Cognitive behavioral therapy (CBT) for social anxiety",
         "Video feedback and attention training", "Graded in vivo exposure"),
    ),
)

# Share of new clients per category, in the order above.
CATEGORY_WEIGHTS = (0.24, 0.18, 0.1, 0.1, 0.14, 0.1, 0.05, 0.09)

# A therapy_type the vocabulary does not know: the completeness rule reports it.
UNKNOWN_THERAPY_TYPE = "Individual & family"
INVALID_DIAGNOSES = ("F41", "Z99.999")  # a category code (not billable) and a made-up code

CLONE_TWEAK = " Homework reviewed weekly."
