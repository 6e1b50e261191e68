"""The curriculum as data: lesson.toml files loaded, validated and ordered."""

from workbench.curriculum.lesson_loader import BrokenLesson, Curriculum, Lesson, load_curriculum

__all__ = ["BrokenLesson", "Curriculum", "Lesson", "load_curriculum"]
