"""The demo study and the builders that the demo, the tests and the benchmarks share: sites
and people (people), screenings and subjects at every stage (enrollment), treatment days
(treatment), visits and follow-up (efficacy). Everything is made through the services, so
every rule runs on demo data too."""
