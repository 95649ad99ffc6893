"""moodplayer.recommend"""
