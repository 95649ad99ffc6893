"""moodplayer.train"""
