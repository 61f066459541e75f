"""The data beside the corpus (``corpus/knowledge.yaml``) names things the articles really contain:
a person, heading or section it points to that no article has would silently empty an answer plan."""

from __future__ import annotations


def test_every_person_is_in_the_articles_and_every_story_heading_resolves(adv):
    kmap = adv.derived.kmap
    for person in kmap.kb.persons:
        assert person.name in kmap.bodies[person.doc], person.name
        if person.heading:
            assert kmap.person_section(person.name) is not None, person.heading
        assert kmap.person_text(person.name), f"nothing tells about {person.name}"


def test_every_role_has_the_guides_three_paths_with_their_fit_sentence_and_steps_or_directions(adv):
    kmap = adv.derived.kmap
    for role in kmap.kb.role_names:
        paths = kmap.paths(role)
        assert [p.name for p in paths] == list(kmap.kb.paths), role
        assert all(p.fit is not None and (p.steps or p.directions) for p in paths), role


def test_every_explained_role_and_topic_points_to_a_section(adv):
    kmap = adv.derived.kmap
    for explainer in kmap.kb.explainers:
        assert kmap.explainer_sections(explainer.name), explainer.name
    for topic, ref in kmap.kb.explainer_topics.items():
        assert kmap.section(ref) is not None, topic
